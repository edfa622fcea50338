import { Card, CardHeader, Checklist, Icon } from '@/components/ui';

const good = [
  'Only you in the picture, with your face clearly visible and in focus.',
  'Different angles: straight on, three-quarter and profile.',
  'Different expressions, outfits, backgrounds and light.',
  'A mix of close-ups and half-body shots.',
];

const avoid = [
  'Sunglasses, hats or hands covering your face.',
  'Filters, heavy editing or group photos.',
  'Several near-identical shots from the same moment.',
];

/** What makes a photo good for training. */
export function PhotoTips({ minRecommendedSide }: { minRecommendedSide: number }) {
  return (
    <Card aria-labelledby="photo-tips-title" className="photo-tips">
      <CardHeader
        id="photo-tips-title"
        title={
          <span className="photo-tips__title">
            <Icon name="lightbulb" size={18} />
            Tips for good photos
          </span>
        }
        description={`10 to 30 recent photos work best, at least ${minRecommendedSide} pixels on the shorter side.`}
      />
      <div className="photo-tips__group">
        <h3 className="photo-tips__heading">Do</h3>
        <Checklist items={good} />
      </div>
      <div className="photo-tips__group">
        <h3 className="photo-tips__heading">Avoid</h3>
        <Checklist items={avoid} tone="avoid" />
      </div>
      <p className="photo-tips__privacy">
        <Icon name="lock" size={16} />
        <span>
          Only you can see your photos. Visiona removes location and camera data from them, and deletes them once a
          training has used them.
        </span>
      </p>
    </Card>
  );
}
