import { useSignIn } from '../api/sign-in';
import { CredentialsForm } from './credentials-form';

export function SignInForm() {
  const mutation = useSignIn();
  return <CredentialsForm mode="sign-in" mutation={mutation} />;
}
